"""Reading Python files without importing them (detect/python_files.py): the names a module binds."""

from __future__ import annotations

from s2i_wsgi.detect import Defines, callable_in, defines, top_level_names


def test_a_class_named_application_counts(tmp_path):
    path = tmp_path / "wsgi.py"
    path.write_text("class application:\n    pass\n")
    assert callable_in(path) == "application"


def test_names_bound_inside_if_and_try_blocks_count():
    names, dynamic = top_level_names(
        """
if True:
    app = 1
else:
    application = 2
try:
    import flask
except ImportError:
    fallback = 3
finally:
    done = 4
with open(__file__) as f:
    inside_with = 5
for _ in range(1):
    in_loop = 6
"""
    )
    assert {"app", "application", "flask", "fallback", "done", "inside_with", "in_loop"} <= names
    assert not dynamic


def test_names_bound_by_from_import_count():
    names, _ = top_level_names("from myproject.web import app\nfrom factory import make as application\n")
    assert {"app", "application"} <= names


def test_plain_import_binds_the_top_package_name():
    names, _ = top_level_names("import os.path\nimport json as j\n")
    assert names == {"os", "j"}


def test_tuple_and_annotated_assignments_bind_their_names():
    names, _ = top_level_names("first, (second, third) = 1, (2, 3)\nfourth: int = 4\nfifth = sixth = 5\n")
    assert {"first", "second", "third", "fourth", "fifth", "sixth"} <= names


def test_names_bound_only_inside_a_function_do_not_count(tmp_path):
    path = tmp_path / "app.py"
    path.write_text("def create_app():\n    app = object()\n    return app\n")
    assert defines(path, "app") is Defines.NO
    assert callable_in(path) is None


def test_a_star_import_may_define_the_callable(tmp_path):
    path = tmp_path / "wsgi.py"
    path.write_text("from mysite.settings import *\n")
    assert defines(path, "application") is Defines.MAYBE


def test_a_module_getattr_may_define_the_callable(tmp_path):
    path = tmp_path / "wsgi.py"
    path.write_text("def __getattr__(name):\n    raise AttributeError(name)\n")
    assert defines(path, "application") is Defines.MAYBE


def test_a_defined_name_is_yes_even_with_a_star_import(tmp_path):
    path = tmp_path / "wsgi.py"
    path.write_text("from x import *\napp = 1\n")
    assert defines(path, "app") is Defines.YES
