"""The Higgs portal (scalar and Majorana dark matter, the Briefing Book benchmarks): limits on
BR(h -> invisible) as limits on σ_SI for m_χ < m_h/2."""
