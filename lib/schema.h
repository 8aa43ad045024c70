/* Internal to the store: the list of migrations. */
#ifndef TB_SCHEMA_H
#define TB_SCHEMA_H

int tb_schema_count(void);
/* SQL that takes the schema from version to_version-1 to to_version. */
const char *tb_schema_migration(int to_version);

#endif
