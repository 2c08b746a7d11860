/* A tiny extension module: proves the image compiles C against its Python. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
cmarker_answer(PyObject *self, PyObject *args)
{
    return PyLong_FromLong(6L * 7L);
}

static PyMethodDef cmarker_methods[] = {
    {"answer", cmarker_answer, METH_NOARGS, "Return 42, computed in C."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef cmarker_module = {
    PyModuleDef_HEAD_INIT, "cmarker", NULL, -1, cmarker_methods
};

PyMODINIT_FUNC
PyInit_cmarker(void)
{
    return PyModule_Create(&cmarker_module);
}
