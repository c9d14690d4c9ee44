"""Planning on top of PV and retrofit results: packages and ranking (分类打包), claim checks.
"""
