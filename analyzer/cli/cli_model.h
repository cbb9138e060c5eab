/* cli_model.h - what heap, bins, frag and explain share: parsing
 * FILE [--at SEQ | --mark LABEL] [--json] [--pid PID] (with cli_args.h) and
 * building the model at that moment (through the checkpoint cache). */
#ifndef HS_CLI_MODEL_H
#define HS_CLI_MODEL_H

#include <stdint.h>

#include "cli_args.h"
#include "glibc_model.h"
#include "model_run.h"
#include "trace.h"

struct cli_model_opts {
    const char *file;
    uint64_t at; /* 0: the end */
    const char *mark;
    uint32_t pid;
    int json, csv;
    uint64_t every;              /* frag --every */
    uint64_t seq;                /* explain's SEQ */
    struct hs_model_images imgs; /* filled by cli_model_open */
    int idx;                     /* the image shown */
};

/* Parses argv with cli_args_parse: FILE and --pid PID always, and what
 * `extra` names: "json" (--json), "csv" (--csv), "at" (--at SEQ, --mark
 * LABEL), "every" (--every N), "seq" (a second positional SEQ, into o->seq).
 * Returns CLI_ARGS_OK, CLI_ARGS_HELP or HS_EXIT_USAGE (cli_args.h). */
int cli_model_parse(const char *cmd, const char *usage, int argc, char **argv, const char *extra,
                    struct cli_model_opts *o);

/* Opens the trace, resolves --mark and the process image (the one holding
 * --at/--mark, else --pid's or the image with most events), and builds the
 * model there unless m is NULL. Prints the error and returns an exit code
 * on failure; 0 with *t (and *m) set on success. A process image that
 * did not use glibc's malloc gets a note and *m NULL (the caller shows
 * what it can and exits 0). The caller frees o->imgs with
 * hs_model_images_free. */
int cli_model_open(const char *cmd, struct cli_model_opts *o, struct hs_trace **t,
                   struct hs_model **m);

/* Frees what cli_model_open gave: the model m (may be NULL), o->imgs, and
 * closes t. */
void cli_model_close(struct cli_model_opts *o, struct hs_trace *t, struct hs_model *m);

#endif
