"""Build the compiled tie and organization kernels; everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension(f"agents.{name}", [f"agents/{name}.pyx"], extra_compile_args=["-O3"])
     for name in ("codes", "_tie_kernels", "_org_kernels")],
    compiler_directives={"language_level": "3"}))
