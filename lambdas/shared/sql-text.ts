/**
 * Quoting for the few SQL texts the project builds at run time (DuckDB statements over file paths
 * and generated column lists). Vendor values never go through these: they are bound as parameters
 * or read from files; these quote names and paths the code itself chose.
 */

/** A SQL string literal: 'it''s'. */
export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** A SQL identifier: "a ""b""". */
export const quoteIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;
