-- A draft may restrict its player pool: to some positions, and/or to the
-- best N players by rank. NULL means no restriction.
ALTER TABLE drafts
  ADD COLUMN pool_positions text[],
  ADD COLUMN pool_max_rank integer CHECK (pool_max_rank >= 1);
