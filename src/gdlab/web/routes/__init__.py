"""The API's routers, one per area: meta (health, limits, colours, optimizers), calculus
(parse, grad, functions, grid), runs (descend, bounds), studies (basins, lr map)."""
