/*
 * chunk_codec.h - how an event_chunks row's `data` is compressed.
 *
 * The importer compresses every chunk of the event stream (stream.h) with
 * zstd at level 1 (a small match table: chunk_codec.c): on the bench
 * workload that is 8.2 bytes per event, as small as zlib's Huffman-only
 * deflate used before, in about a seventh of its CPU time (the stream's
 * compression was the importer's largest single cost). Traces written before that hold zlib (RFC 1950) streams; the
 * reader tells the two apart by their first bytes (a zstd frame starts
 * with 28 b5 2f fd, a zlib stream with 0x78), so both stay readable.
 *
 * Allocates: the packer's context (hs_chunk_packer_init), nothing per call.
 * Thread safety: one packer per thread; unpack is reentrant.
 */
#ifndef HS_CHUNK_CODEC_H
#define HS_CHUNK_CODEC_H

#include <stddef.h>

struct hs_chunk_packer {
    void *zstd; /* ZSTD_CCtx, reused between chunks */
};

/* 0, or HS_ENOMEM. */
int hs_chunk_packer_init(struct hs_chunk_packer *p);
void hs_chunk_packer_free(struct hs_chunk_packer *p);

/* Room needed in the output for n raw bytes. */
size_t hs_chunk_bound(size_t n);
/* Compresses raw[0..n) into out (at least hs_chunk_bound(n) bytes);
 * returns the compressed size, or 0 on failure. */
size_t hs_chunk_pack(struct hs_chunk_packer *p, const void *raw, size_t n, void *out, size_t cap);
/* Decompresses data[0..n) (zstd or zlib) into raw, which must receive
 * exactly raw_size bytes; 0 on success, HS_EFORMAT if data is not a valid
 * chunk of that size. */
int hs_chunk_unpack(const void *data, size_t n, void *raw, size_t raw_size);

#endif
