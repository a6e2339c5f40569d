"""The LHC DM WG s-channel spin-1 mediator (V2, A2): σ_SI/σ_SD ↔ excluded (M_med, m_χ), the
thermal-relic line, and the curves that enter each benchmark's joint exclusion."""
