-- Tokens an answer took, as the provider reported them (NULL: it did not),
-- and what it cost when the provider says (OpenRouter's `usage.cost`).
ALTER TABLE flow_messages ADD COLUMN input_tokens INTEGER;
ALTER TABLE flow_messages ADD COLUMN output_tokens INTEGER;
ALTER TABLE flow_messages ADD COLUMN cost REAL;
