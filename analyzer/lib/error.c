/* error.c - formatting of struct hs_error (see error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int hs_error_set(struct hs_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
