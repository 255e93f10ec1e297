-- Rare: conflicting rows were valid, so the single read kept only their canonical values; their
-- original fields for the quarantine CSV are read again from the input, for those lines only.
CREATE OR REPLACE TEMP TABLE nx_conflicts AS
SELECT {{quarantined}}, m.nx_line AS line, {{key_columns}} AS "column",
  f.key_label || ' conflicts with line(s) ' || f.other_lines || ': same key, different content' AS reason
FROM nx_mapped m JOIN nx_fate f ON f.nx_line = m.nx_line AND f.fate = 'conflict';
