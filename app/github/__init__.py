"""The GitHub layer: the App's clients, the calls we make, write pacing, typed models and read caches."""
