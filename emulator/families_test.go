package emulator

// The families of the embedded model, for the tests (the emulator serves the families
// of its Config.Model and names none itself).
const (
	FamilyConversion = "conversion"
	FamilyCreation   = "creation"
)
