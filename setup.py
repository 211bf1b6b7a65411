"""The one C extension (``mcms.files._sha256ni``, hashing for uploads); the rest
of the build is in pyproject.toml. ``optional``: without a C compiler the
install still succeeds and uploads hash with hashlib (mcms/files/sha256x.py)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "mcms.files._sha256ni",
            sources=["backend/mcms/files/_sha256ni.c"],
            extra_compile_args=["-O3"],
            optional=True,
        )
    ]
)
