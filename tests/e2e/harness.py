"""Small shared helpers for end-to-end tests: where the binaries under test are, and running one
to completion with a timeout. Standard library only.

ctest sets SSM_PLUGIN_BIN (and SSM_ENDPOINT_BIN when that target exists) to the binaries of the
build being tested, so the same scripts serve every preset; outside ctest the names are looked
up on PATH.
"""
import dataclasses
import os
import shutil
import subprocess

DEFAULT_TIMEOUT = 30  # seconds; every subprocess gets one, so a hang fails instead of stalling CI


def binary(env_var, name):
    """The path in `env_var`, else `name` found on PATH; raises if neither exists."""
    path = os.environ.get(env_var) or shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError(f"{name} not found: set {env_var} to the built binary")
    return path


def plugin_bin():
    return binary("SSM_PLUGIN_BIN", "session-manager-plugin")


def endpoint_bin():
    return binary("SSM_ENDPOINT_BIN", "ssm-local-endpoint")


def have_binary(env_var, name):
    try:
        binary(env_var, name)
        return True
    except RuntimeError:
        return False


def environment(extra=None, unset=()):
    """This process's environment plus `extra`, minus the names in `unset`."""
    env = dict(os.environ)
    for name in unset:
        env.pop(name, None)
    env.update(extra or {})
    return env


@dataclasses.dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self):
        """stdout and stderr together, for checks that something appears nowhere."""
        return self.stdout + self.stderr


def run(argv, *, env=None, stdin_data=None, timeout=DEFAULT_TIMEOUT, text=True):
    """Runs argv to completion and captures both streams. stdin is empty (/dev/null) unless
    stdin_data is given. On timeout the process is killed and the test fails with whatever it
    had printed (argv itself is not repeated: it may hold a session token)."""
    try:
        proc = subprocess.run(argv, input=stdin_data, stdin=subprocess.DEVNULL if stdin_data is None else None,
                              capture_output=True, env=env, timeout=timeout, text=text)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{os.path.basename(argv[0])} did not finish within {timeout} s; "
                             f"stdout={e.stdout!r} stderr={e.stderr!r}") from None
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_plugin(*args, **kwargs):
    """session-manager-plugin with these arguments (argv[1..]); keywords as for run()."""
    return run([plugin_bin(), *args], **kwargs)
