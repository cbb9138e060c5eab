/*
 * cli_import.h - what `heapscope record` and `heapscope import` share:
 * running hs_import() with a progress line on a terminal and warnings on
 * stderr, and the closing report line.
 */
#ifndef HS_CLI_IMPORT_H
#define HS_CLI_IMPORT_H

#include "import.h"

/* Imports; prints warnings and progress as "heapscope <cmd>: ...".
 * Returns 0, or prints the error and returns HS_EXIT_ERROR. */
int cli_import(const char *cmd, struct hs_import_options *opts, struct hs_import_result *res);

/* Points opts' progress and warnings at stderr as cli_import does, for
 * the live import of `heapscope record`; cli_import_report_end() ends the
 * progress line once the import is over. */
void cli_import_report(const char *cmd, struct hs_import_options *opts);
void cli_import_report_end(void);

/* "12345 events from 2 processes, 40 blocks live at exit, 1.2 MiB
 * (31.4 bytes/event)" into buf. */
void cli_import_describe(const struct hs_import_result *res, char *buf, unsigned size);

#endif
