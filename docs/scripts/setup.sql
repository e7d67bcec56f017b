-- TPC-H scale factor 1: 6M lineitem rows, ~15 s to generate here.
CALL dbgen(sf => 1);
