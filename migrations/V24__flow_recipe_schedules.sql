-- Recipes that run on a schedule (every so many minutes) or after the app
-- pushes a branch of their repository (one branch, or any when NULL).
ALTER TABLE flow_recipes ADD COLUMN every_minutes INTEGER;
ALTER TABLE flow_recipes ADD COLUMN branch TEXT;
