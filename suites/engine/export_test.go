package engine

// AddRecipeScript adds an evidence script to the table as the README's recipe for a
// new script does, for a test: one entry (its name, what it is, its evidence type and
// where its evidence goes, here *into rather than a field of Evidence) and its run
// function (here the not-found probes', run once more). remove takes it out again.
func AddRecipeScript(name Script, into **ProbeEvidence) (remove func()) {
	n, m := len(scriptTable), len(Scripts)
	scriptTable = append(scriptTable[:n:n], scriptDef{name: name, what: "the recipe's probes",
		evidence: gathers(func(*Evidence) **ProbeEvidence { return into }, runNotFound)})
	Scripts = append(Scripts[:m:m], name)
	return func() { scriptTable, Scripts = scriptTable[:n:n], Scripts[:m:m] }
}
