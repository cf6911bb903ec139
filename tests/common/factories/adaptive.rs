//! Valid rows for the adaptive group. TODO(scaffold)
