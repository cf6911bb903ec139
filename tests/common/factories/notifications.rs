//! Valid rows for the notifications group. TODO(scaffold)
