"""google.auth for the mcp-sre sandbox: credentials never enter the sandbox; the host signs
every bridged call with its own Application Default Credentials."""

__all__ = ["default"]


class _HostCredentials:
    """A stand-in handed to ``discovery.build(credentials=...)``: it holds no secret."""

    valid = True
    expired = False
    token = None

    def refresh(self, request=None):
        return None

    def __repr__(self):
        return "<host credentials (mcp-sre sandbox)>"


def default(scopes=None, request=None, quota_project_id=None, default_scopes=None):
    """``(credentials, project_id)``: the project is ``sre.inputs["project"]`` when the run was
    given one, else "" -- which the host fills with its own project (GOOGLE_CLOUD_PROJECT...)
    wherever it is passed as ``project=`` or as ``"projects/" + project``."""
    import sre

    return _HostCredentials(), (sre.inputs or {}).get("project") or ""
