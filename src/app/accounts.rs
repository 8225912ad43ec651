//! (moving here)
