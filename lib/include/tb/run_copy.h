/* Copying runs between results stores: a run's row and every row that
 * belongs to it (each table with a run_id column), under a new id in the
 * destination. Used by tb-db import (a finished run's database into the
 * campaign's; a robot's and an operator's database into one run) and by
 * tb-merge (shard databases into one).
 *
 * Tables and columns are listed from the databases (PRAGMA table_info), not
 * named here, so tables and columns that later schema versions add come
 * along without a change: a column is copied when both sides have it. The
 * source is an attached database (tb_run_copy_attach); writes go to main. */
#ifndef TB_RUN_COPY_H
#define TB_RUN_COPY_H

#include "tb/store.h"

#include <stddef.h>

/* Migrate the store at path (tb_store_open: it must be of this build's
 * schema or older) and attach it as `schema` to st's connection. A missing
 * file is an error, not a new database. 0, or -1 with err. */
int tb_run_copy_attach(tb_store *st, const char *path, const char *schema, char *err, size_t errlen);
int tb_run_copy_detach(tb_store *st, const char *schema, char *err, size_t errlen);

/* Copy run src_id of the attached `from` into main as a new run, with its
 * child rows. Returns the new id, or -1 with err. */
long long tb_run_copy(tb_store *st, const char *from, long long src_id, char *err, size_t errlen);

/* Copy the child rows of run src_id in `from` to the existing run dst_id of
 * main (every table of main with a run_id column that `from` also has).
 * 0, or -1 with err (e.g. both runs have the same counter). */
int tb_run_copy_children(tb_store *st, const char *from, long long src_id, long long dst_id, char *err,
			 size_t errlen);

/* Set one key of run id's env_json object (created when NULL): value is
 * stored as a JSON number when it reads as an integer, as a string
 * otherwise. 0, or -1 with err. */
int tb_run_env_set(tb_store *st, long long id, const char *key, const char *value, char *err, size_t errlen);

#endif
