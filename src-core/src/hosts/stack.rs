//! A host repository's whole stack in one click, in the order it depends
//! on itself: the host's services (its Docker engine's installed ones that
//! are stopped, each until it answers), then the repository's apps under
//! the host's PM2, then its editor there. Down stops the repository's apps
//! and its editor; the host's services are shared by its other
//! repositories and keep running.

use super::deploy::HostDeploys;
use super::docker::HostEngines;
use super::editor::HostEditors;
use crate::error::Result;
use crate::store;
use crate::vscode::OpenPlan;
use ai_desktop_api::deployments::DeploymentStatus;
use ai_desktop_api::hosts::HostDeploymentAction;
use ai_desktop_api::services::ServiceState;
use std::sync::Arc;

/// What `up` started, and the editor to show.
pub struct StackUp {
    /// Titles of the services started.
    pub services: Vec<String>,
    /// Names of the apps started.
    pub apps: Vec<String>,
    pub editor: OpenPlan,
}

/// The parts of the app a host stack drives.
pub struct HostStack {
    pub engines: Arc<HostEngines>,
    pub deploys: Arc<HostDeploys>,
    pub editors: Arc<HostEditors>,
}

impl HostStack {
    /// Starts the stack of host repository `id`. The first part that fails
    /// stops it there, with its error (what was started stays started).
    pub async fn up(&self, id: i64) -> Result<StackUp> {
        let repo = self
            .deploys
            .store()
            .with(|c| store::hosts::repository(c, id))?;
        // Services: a host without Docker (or none installed) has none.
        let mut services = Vec::new();
        let overview = self.engines.overview(repo.host_id).await?;
        if overview.docker_available {
            let manager = self.engines.services(repo.host_id).await?;
            for s in overview.installed {
                if s.state != ServiceState::Running {
                    manager.start(&s.id).await?;
                    services.push(s.title);
                }
            }
        }
        let apps = self
            .apps(
                id,
                repo.host_id,
                HostDeploymentAction::Start,
                DeploymentStatus::Online,
            )
            .await?;
        let editor = self.editors.open(id).await?;
        Ok(StackUp {
            services,
            apps,
            editor,
        })
    }

    /// Stops the repository's apps there and its editor; returns the names
    /// of the apps stopped.
    pub async fn down(&self, id: i64) -> Result<Vec<String>> {
        let repo = self
            .deploys
            .store()
            .with(|c| store::hosts::repository(c, id))?;
        let stopped = self
            .apps(
                id,
                repo.host_id,
                HostDeploymentAction::Stop,
                DeploymentStatus::Stopped,
            )
            .await?;
        self.editors.stop(id).await?;
        Ok(stopped)
    }

    /// Does `action` to each of repository `id`'s apps on host `host_id`
    /// that is not already `done`; their names. A host that cannot be
    /// reached is the error (its apps are not known to be stopped).
    async fn apps(
        &self,
        id: i64,
        host_id: i64,
        action: HostDeploymentAction,
        done: DeploymentStatus,
    ) -> Result<Vec<String>> {
        let listed = self.deploys.list(host_id).await?;
        if let Some(why) = listed.unreachable {
            return Err(crate::error::Error::Unavailable(why));
        }
        let mut acted = Vec::new();
        for d in listed.deployments {
            if d.repository_id == id && d.status != done {
                self.deploys.act(d.id, action).await?;
                acted.push(d.name);
            }
        }
        Ok(acted)
    }
}
