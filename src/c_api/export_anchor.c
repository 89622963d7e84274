/* libpocket is built from the static layer archives; this file only gives the target a source. */
int pocket_export_anchor_unused(void) { return 0; }
