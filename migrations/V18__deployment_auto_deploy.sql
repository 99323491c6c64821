-- A branch whose new commits the deployment deploys by itself (a clean
-- checkout of each new tip, as a redeploy of a commit does); NULL: off.
ALTER TABLE deployments ADD COLUMN auto_deploy_branch TEXT;
