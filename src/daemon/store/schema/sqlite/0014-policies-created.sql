-- SPDX-License-Identifier: Apache-2.0
-- ListPolicies answers in creation order (ascendingOrder), names breaking
-- ties within one second: this index serves each page as a range scan
-- instead of sorting every policy.
CREATE INDEX policies_created ON policies (created_at, name);
