/* A whole file in memory, for inputs that are parsed or stored as one piece
 * (JSON documents, PNG pictures). */
#ifndef TB_FILE_READ_H
#define TB_FILE_READ_H

#include <stddef.h>

/* The contents of path, NUL-terminated (the NUL is not counted in *len; len
 * may be NULL), to be freed by the caller. NULL with err set
 * ("PATH: reason") when it cannot be read. */
char *tb_file_read(const char *path, size_t *len, char *err, size_t errlen);

#endif
