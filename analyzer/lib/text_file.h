/*
 * text_file.h - a whole text file in memory (a log directory's maps copies,
 * /proc/PID/maps).
 *
 * Allocates: yes (the caller frees). Thread safety: any thread.
 */
#ifndef HS_TEXT_FILE_H
#define HS_TEXT_FILE_H

/* The contents of path, NUL-terminated; NULL if it cannot be opened or
 * memory runs out. A read error ends the text where it happened. */
char *hs_read_text_file(const char *path);

#endif
