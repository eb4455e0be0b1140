# Reference values for hccsurv.tmerge: survival's tmerge building counting-process rows from a
# patient table (follow-up, status, entry) and an events table (tdc with and without values,
# cumtdc with and without values), on a fixed example (ties, an event at the start, at the
# stop, after the stop, a missing time) and on a random draw.
#
#   Rscript validation/r/tmerge.R   -> tests/reference/tmerge.json
# Live mode (tests/analysis/test_r_live_tmerge.py): patients.csv has id, entry, futime, status;
# events.csv has id, t, v.
#   Rscript validation/r/tmerge.R patients.csv events.csv out.json
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

rows <- function(p, e) {
  d <- tmerge(p, p, id = id, death = event(futime, status), tstart = entry, tstop = futime)
  d <- tmerge(d, e, id = id, resp = tdc(t), val = tdc(t, v), cnt = cumtdc(t), cv = cumtdc(t, v))
  list(patients = p, events = e,
       rows = as.list(d[, c("id", "tstart", "tstop", "death", "resp", "val", "cnt", "cv")]))
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 3) {
  write_json(rows(read.csv(args[1]), read.csv(args[2]))$rows, args[3], digits = NA,
             auto_unbox = TRUE, na = "null")
  quit(save = "no")
}

fixed_p <- data.frame(id = c(1, 2, 3, 4, 5), entry = c(0, 0, 0, 0, 10),
                      futime = c(100, 50, 80, 60, 90), status = c(1, 0, 1, 1, 0))
fixed_e <- data.frame(id = c(1, 1, 2, 3, 3, 4, 4, 1, 5, 5),
                      t = c(30, 60, 0, 80, NA, 20, 20, 120, 5, 40),
                      v = c(5, 7, 9, 11, 13, 15, 17, 19, 2, 3))
set.seed(2020)
n <- 60
rand_p <- data.frame(id = seq_len(n), entry = floor(runif(n, 0, 20)))
rand_p$futime <- rand_p$entry + 1 + floor(rexp(n, 1 / 200))
rand_p$status <- as.integer(runif(n) < 0.6)
m <- 150
rand_e <- data.frame(id = sample(seq_len(n), m, replace = TRUE), t = floor(runif(m, 0, 300)),
                     v = round(rnorm(m), 3))
rand_e$t[sample(m, 10)] <- NA
cases <- list(fixed = rows(fixed_p, fixed_e), random = rows(rand_p, rand_e))
meta <- list(r_version = R.version.string,
             survival = as.character(packageVersion("survival")))
write_json(list(meta = meta, cases = cases), file.path("tests", "reference", "tmerge.json"),
           digits = NA, auto_unbox = TRUE, na = "null")
