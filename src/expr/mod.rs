//! The ARM template expression language (work in progress).
