/* Reading counters from /proc/net/snmp (per network namespace): pairs of
 * lines "Proto: Name1 Name2 ..." / "Proto: v1 v2 ...". */
#ifndef TB_SNMP_H
#define TB_SNMP_H

/* Find counter `name` of protocol `proto` ("Udp", "Ip") in the text of
 * /proc/net/snmp. Returns 0 and sets *out, or -1 if absent or malformed. */
int snmp_lookup(const char *text, const char *proto, const char *name, long long *out);

/* Read the whole file at path into buf (NUL-terminated). Returns 0 or -1. */
int snmp_read_file(const char *path, char *buf, unsigned long buflen);

#endif
