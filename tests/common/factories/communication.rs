//! Valid rows for the communication group. TODO(scaffold)
