/* log_read.c - placeholder until the tracer module implements log_read.h. */
