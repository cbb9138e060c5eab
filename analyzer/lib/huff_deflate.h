/*
 * huff_deflate.h - Huffman-only compression into a zlib stream (RFC 1950
 * wrapper around one RFC 1951 dynamic-Huffman block per 64 KiB of input),
 * what zlib's deflate() makes with Z_HUFFMAN_ONLY, at about a third of
 * its CPU and 0.4% smaller on the event stream, whose chunks are deflated
 * with it (zlib's Huffman-only deflate was about 0.35 s of CPU in a
 * 4 M-event import, this about 0.1 s).
 *
 * The output is read by zlib's inflate()/uncompress() like any zlib
 * stream. No string matching: every byte is a literal, coded with a
 * length-limited (15 bits) Huffman code built from that block's byte
 * counts.
 *
 * Allocates: no. Thread safety: no state, any thread.
 */
#ifndef HS_HUFF_DEFLATE_H
#define HS_HUFF_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of output room enough for n bytes of input. */
size_t hs_huff_deflate_bound(size_t n);

/* Compresses in[0..n) into out (at least hs_huff_deflate_bound(n) bytes);
 * returns the stream's size. */
size_t hs_huff_deflate(const uint8_t *in, size_t n, uint8_t *out);

#endif
