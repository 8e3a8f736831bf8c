"""vawgscope: VAWG problem profiles from police records."""
