-- A host deployment's health check (JSON of ai_desktop_api HealthCheck),
-- asked through the app's forward of its port while PM2 there says it is
-- online. NULL: none.
ALTER TABLE host_deployments ADD COLUMN health_check TEXT
    CHECK (health_check IS NULL OR (json_valid(health_check) AND json_type(health_check) = 'object'));
