/*
 * viz_python.h - how `heapscope plot` and `heapscope report` run the
 * plotting helper (viz/heapscope_viz, Python + matplotlib).
 *
 * The Python must be one that has matplotlib, which on Debian is the
 * system /usr/bin/python3 with python3-matplotlib: the first python3 on
 * PATH may be another one (pyenv, a venv) without it. Tried in order:
 * $HS_PYTHON, /usr/bin/python3, python3 on PATH; each is asked to
 * `import matplotlib`. The helper's package is looked for in
 * $HS_VIZ_DIR, then <dir of heapscope>/../share/heapscope/viz (the build
 * tree gets a copy there at build time, as an install does).
 */
#ifndef HS_VIZ_PYTHON_H
#define HS_VIZ_PYTHON_H

#include <stddef.h>

/* 0 and the interpreter's path in out, or -1 and a one-line reason in why. */
int viz_find_python(char *out, size_t size, char *why, size_t why_size);

/* 0 and the directory holding heapscope_viz/ in out, or -1 and why. */
int viz_find_dir(char *out, size_t size, char *why, size_t why_size);

/*
 * Runs `PYTHON -m heapscope_viz ARGS...` (args NULL-terminated) with the
 * helper on PYTHONPATH and the Agg backend; its stderr passes through.
 * Returns its exit status (0 ok), or -1 if it could not start (why filled).
 */
int viz_run(char *const args[], char *why, size_t why_size);

/* Path of the running heapscope executable (for the helper to call back). */
const char *viz_self_exe(void);

#endif
