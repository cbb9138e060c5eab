/*
 * chunk_codec.c - zstd for new chunks, zstd or zlib when reading
 * (contract: chunk_codec.h).
 */
#include "chunk_codec.h"

#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "error.h"

#define PACK_LEVEL 1

int hs_chunk_packer_init(struct hs_chunk_packer *p)
{
    p->zstd = ZSTD_createCCtx();
    return p->zstd ? 0 : HS_ENOMEM;
}

void hs_chunk_packer_free(struct hs_chunk_packer *p)
{
    ZSTD_freeCCtx(p->zstd);
    p->zstd = NULL;
}

size_t hs_chunk_bound(size_t n)
{
    return ZSTD_compressBound(n);
}

size_t hs_chunk_pack(struct hs_chunk_packer *p, const void *raw, size_t n, void *out, size_t cap)
{
    size_t got = ZSTD_compressCCtx(p->zstd, out, cap, raw, n, PACK_LEVEL);
    return ZSTD_isError(got) ? 0 : got;
}

static int is_zstd(const unsigned char *d, size_t n)
{
    static const unsigned char magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    return n >= 4 && memcmp(d, magic, 4) == 0;
}

int hs_chunk_unpack(const void *data, size_t n, void *raw, size_t raw_size)
{
    if (!data)
        return HS_EFORMAT;
    if (is_zstd(data, n)) {
        size_t got = ZSTD_decompress(raw, raw_size, data, n);
        return !ZSTD_isError(got) && got == raw_size ? 0 : HS_EFORMAT;
    }
    uLongf got = (uLongf)raw_size;
    return uncompress(raw, &got, data, (uLong)n) == Z_OK && got == raw_size ? 0 : HS_EFORMAT;
}
