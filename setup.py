"""Build the compiled rule families of ``agents/`` and the record's counts; all else is in pyproject.toml."""

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

COMPILED = {
    "agents": ("codes", "params", "trust", "ties", "leadership", "commitment", "institutions",
               "employers", "money", "programs", "intermediation"),
    "sim": ("_record",),
}

setup(ext_modules=cythonize(
    [Extension(f"{package}.{name}", [f"{package}/{name}.pyx"], extra_compile_args=["-O3"],
               include_dirs=[numpy.get_include()],
               define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")])
     for package, names in COMPILED.items() for name in names],
    compiler_directives={"language_level": "3"}))
