"""The Jupyter kernel report notebooks run on.

By default the kernel is this interpreter (`sys.executable`), started directly: a kernelspec
named `python3` elsewhere on Jupyter's search path (another virtualenv, a conda base, a broken
interpreter) is never consulted, so it cannot make the run use other packages or die.
`mzforecast run --kernel NAME` uses an installed kernelspec by name instead.
"""
from __future__ import annotations

import sys

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec

OWN = "python3"  # name papermill/nbclient see: python translator, IPython history kept in memory


class OwnInterpreterKernelManager(AsyncKernelManager):
    """Kernel manager whose kernel is `sys.executable -m ipykernel_launcher`, whatever the name."""

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (mzforecast)",
                language="python")
        return self._kernel_spec


def engine_options(kernel: str | None = None) -> dict:
    """papermill.execute_notebook arguments that pick the kernel (None: this interpreter)."""
    if kernel:
        return {"kernel_name": kernel}
    return {"kernel_name": OWN, "kernel_manager_class": OwnInterpreterKernelManager}


def check_kernel(kernel: str | None):
    """Refuse, before anything runs, a --kernel no installed kernelspec is named (None: this interpreter)."""
    if not kernel:
        return
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from .errors import DataError
    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        known = sorted(KernelSpecManager().find_kernel_specs())
        raise DataError(f"--kernel {kernel}: no such Jupyter kernelspec",
                        fix="leave out --kernel to use this Python, or give one of: " + (", ".join(known) or "none "
                            "installed (see `jupyter kernelspec list`)")) from None
