"""Builds the migsim package. The C library is built first by CMake
(`bash .ci/setup build`); this copies libmigsim.so from that build into the
package, so that the installed package runs without the source tree.
MIGSIM_BUILD_DIR names another build folder; without a built library the
package is installed alone and finds libmigsim at run time (MIGSIM_LIBRARY,
or an installed prefix on the library path)."""
import glob
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

here = os.path.dirname(os.path.abspath(__file__))


class build_with_library(build_py):
    def run(self):
        super().run()
        build = os.environ.get("MIGSIM_BUILD_DIR", os.path.join(here, "..", "build"))
        found = sorted(glob.glob(os.path.join(build, "libmigsim.so.*")), key=len)
        if not found:
            print(f"migsim: no libmigsim.so in {build}; the package will look for it at run time")
            return
        target = os.path.join(self.build_lib, "migsim")
        os.makedirs(target, exist_ok=True)
        # The shortest name is the soname (libmigsim.so.0), which is what the
        # package loads; copying follows the symbolic link.
        shutil.copy(found[0], os.path.join(target, "libmigsim.so.0"))


setup(cmdclass={"build_py": build_with_library})
