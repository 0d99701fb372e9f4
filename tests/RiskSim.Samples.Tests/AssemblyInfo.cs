// The notebook's cells run with the current directory set to samples/ (as a notebook runs beside its file): no other
// test of this assembly may run at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
