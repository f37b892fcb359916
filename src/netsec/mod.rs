//! NSG flow evaluation (work in progress).
