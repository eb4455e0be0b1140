# Reference values for delayed entry (left truncation) in hccsurv.kaplan_meier(time, event,
# entry=start): survival's counting-process survfit(Surv(start, stop, event) ~ 1) on the
# Stanford heart transplant data (survival::heart, start/stop rows) and on a left-truncated
# draw with integer days and ties.
#
#   Rscript validation/r/km_entry.R   -> tests/reference/km_entry.json
# Live mode (tests/core/test_r_live_km_entry.py): data.csv has columns start, stop, event.
#   Rscript validation/r/km_entry.R data.csv out.json
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

fit_values <- function(start, stop, event, conf_type) {
  f <- survfit(Surv(start, stop, event) ~ 1, conf.type = conf_type)
  list(start = start, stop = stop, event = event, conf_type = conf_type,
       time = f$time, n_risk = f$n.risk, n_event = f$n.event, n_censor = f$n.censor,
       surv = f$surv, std_err = f$std.err, lower = f$lower, upper = f$upper,
       median = unname(quantile(f, 0.5)$quantile))
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 2) {
  d <- read.csv(args[1])
  write_json(fit_values(d$start, d$stop, d$event, "log"), args[2], digits = NA,
             auto_unbox = TRUE, na = "null")
  quit(save = "no")
}

set.seed(20)
n <- 150
entry <- floor(runif(n, 0, 200))
stop <- entry + 1 + floor(rexp(n, 1 / 300))
event <- as.integer(runif(n) < 0.7)

cases <- list(
  heart_log = fit_values(heart$start, heart$stop, heart$event, "log"),
  heart_loglog = fit_values(heart$start, heart$stop, heart$event, "log-log"),
  days_plain = fit_values(entry, stop, event, "plain")
)
meta <- list(r_version = R.version.string,
             survival = as.character(packageVersion("survival")))
write_json(list(meta = meta, cases = cases), file.path("tests", "reference", "km_entry.json"),
           digits = NA, auto_unbox = TRUE, na = "null")
