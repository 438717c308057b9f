"""Build the compiled tie kernels; everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("agents._tie_kernels", ["agents/_tie_kernels.pyx"],
               extra_compile_args=["-O3"])],
    compiler_directives={"language_level": "3"}))
