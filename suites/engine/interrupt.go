package engine

import "fmt"

// Unsettled lists the requests the run started that are not known to have ended
// ("<id> (<family>)"): what clean-up has to cancel, and what an interrupted clean-up
// leaves running.
func (s *Session) Unsettled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, st := range s.starts {
		if st.id != "" && !st.done {
			out = append(out, fmt.Sprintf("%s (%s)", st.id, st.family))
		}
	}
	return out
}
