# Reference values for hccsurv.core.fisher_rxc (issue 15): fisher.test on a grid of r x c tables.
# Run from the repository root:  Rscript validation/r/fisher_rxc.R
# Writes tests/reference/fisher_rxc.json (R 4.2.2, stats package).
# Each table is drawn from a multinomial with Dirichlet(2) cell probabilities (set.seed(15)),
# with one count added to the first row and column so that no margin is empty. Each
# fisher.test(m, workspace = 2e8) runs in its own Rscript under a 20 s limit: FEXACT does not
# return to R's interrupt checks, and on the largest 5 x 5 tables it runs for minutes. Tables
# where R does not finish are stored with p_value null and compared nowhere. p_simulated is
# fisher.test(m, simulate.p.value = TRUE, B = 1e5) (drawn right after the table, same stream):
# on a few larger tables FEXACT's exact p is off (its merging of past probabilities within a
# tolerance), and the Monte Carlo value shows which of two disagreeing exact values is right.
# Live mode (tests/core/test_r_live_fisher_rxc.py):  Rscript validation/r/fisher_rxc.R in.json out.json
# where in.json holds {tables: [matrix rows]}; out.json gets one p-value (or null) per table.
suppressPackageStartupMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)

one_p <- function(m, limit = 20) {
  code <- sprintf(
    "m <- matrix(c(%s), %d); cat(sprintf('%%.17g', fisher.test(m, workspace = 2e8)$p.value))",
    paste(as.vector(m), collapse = ","), nrow(m)
  )
  out <- suppressWarnings(system2("timeout", c(limit, file.path(R.home("bin"), "Rscript"),
                                               "-e", shQuote(code)), stdout = TRUE, stderr = FALSE))
  status <- attr(out, "status")
  if (!is.null(status) || length(out) == 0) return(NULL)
  as.numeric(out[length(out)])
}
rows_of <- function(m) lapply(seq_len(nrow(m)), function(i) as.numeric(m[i, ]))

if (length(args) == 2) {
  spec <- fromJSON(args[1], simplifyVector = FALSE)
  res <- lapply(spec$tables, function(rows) {
    p <- one_p(do.call(rbind, lapply(rows, as.numeric)))
    list(p_value = p)
  })
  writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, null = "null"), args[2])
  quit(save = "no")
}

set.seed(15)
shapes <- list(c(2, 3), c(2, 5), c(2, 10), c(2, 20), c(2, 30), c(3, 3), c(3, 4), c(3, 6),
               c(4, 4), c(4, 5), c(5, 5))
sizes <- c(20, 55, 120, 300)
cases <- list()
for (s in shapes) for (n in sizes) {
  k <- s[1] * s[2]
  g <- rgamma(k, 2)
  m <- matrix(rmultinom(1, max(n - s[1] - s[2] + 1, 0), g / sum(g)), s[1])
  m[1, ] <- m[1, ] + 1
  m[, 1] <- m[, 1] + 1
  elapsed <- system.time(p <- one_p(m))[["elapsed"]]
  sim <- fisher.test(m, simulate.p.value = TRUE, B = 1e5)$p.value
  cases[[length(cases) + 1]] <- list(
    name = sprintf("%dx%d_n%d", s[1], s[2], sum(m)), table = rows_of(m), p_value = p,
    r_seconds = if (is.null(p)) NULL else round(elapsed, 2), p_simulated = sim
  )
}
out <- list(
  generated_by = "validation/r/fisher_rxc.R",
  r_version = R.version.string,
  call = "fisher.test(m, workspace = 2e8)$p.value, each under a 20 s limit (null: R did not finish)",
  simulated = "fisher.test(m, simulate.p.value = TRUE, B = 1e5)$p.value",
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
           file.path("tests", "reference", "fisher_rxc.json"))
