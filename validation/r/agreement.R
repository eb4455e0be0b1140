# Reference values for hccsurv.core.agreement (Cohen's kappa, weighted kappa, asymptotic SE).
#
# The irr / psych packages are not installed, so the estimator is written out here from the
# published formulas, in R and independently of the Python code:
#   Cohen J (1968) Psychol Bull 70:213-20 (weighted kappa);
#   Fleiss JL, Cohen J, Everitt BS (1969) Psychol Bull 72:323-7 (large-sample SE),
#   as printed in Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions, 3rd ed.,
#   section 18.1 (eq. 18.14) and 18.2 (weighted).
# Run from the repository root:  Rscript validation/r/agreement.R
# (tests source it with HCCSURV_LIB_ONLY <- TRUE to reuse fce_kappa() without writing the file)
suppressPackageStartupMessages(library(jsonlite))

agreement_weights <- function(k, type) {
  if (type == "none") return(diag(k))
  d <- abs(outer(seq_len(k), seq_len(k), "-")) / (k - 1)
  if (type == "linear") 1 - d else 1 - d^2
}

fce_kappa <- function(tab, type, level = 0.95) {
  n <- sum(tab)
  p <- tab / n
  k <- nrow(tab)
  w <- agreement_weights(k, type)
  pr <- rowSums(p)
  pc <- colSums(p)
  po <- sum(w * p)
  pe <- sum(w * (pr %o% pc))
  kap <- (po - pe) / (1 - pe)
  wi <- as.vector(w %*% pc)        # weighted mean over columns, per row category
  wj <- as.vector(t(w) %*% pr)     # weighted mean over rows, per column category
  s <- 0
  for (i in seq_len(k)) for (j in seq_len(k)) {
    s <- s + p[i, j] * (w[i, j] - (wi[i] + wj[j]) * (1 - kap))^2
  }
  v <- (s - (kap - pe * (1 - kap))^2) / (n * (1 - pe)^2)
  z <- qnorm(1 - (1 - level) / 2)
  agree <- sum(diag(tab))
  pa <- binom.test(agree, n, conf.level = level)$conf.int
  list(kappa = kap, se = sqrt(v), lower = kap - z * sqrt(v), upper = kap + z * sqrt(v),
       observed = po, expected = pe, percent_agreement = agree / n,
       pa_lower = pa[1], pa_upper = pa[2])
}

if (!exists("HCCSURV_LIB_ONLY")) {
tables <- list(
  hand_2x2 = matrix(c(20, 10, 5, 15), 2),
  recist_4x4 = matrix(c(10, 3, 0, 0, 2, 15, 3, 1, 0, 4, 20, 2, 0, 1, 2, 12), 4),
  sparse_4x4 = matrix(c(1, 0, 0, 0, 1, 6, 2, 0, 0, 1, 9, 1, 0, 0, 3, 4), 4)
)
out <- list()
for (name in names(tables)) {
  tab <- tables[[name]]
  res <- list(table = lapply(seq_len(nrow(tab)), function(i) tab[i, ]))
  for (type in c("none", "linear", "quadratic")) res[[type]] <- fce_kappa(tab, type)
  out[[name]] <- res
}
write_json(out, "tests/reference/agreement.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
}
