"""A setup.py project with a C extension, compiled from source during the build."""

from setuptools import Extension, setup

setup(
    name="deps-setup-py-c-extension",
    version="1.0",
    ext_modules=[Extension("cmarker", ["cmarker.c"])],
)
