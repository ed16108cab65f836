package main

import "fmt"

func quoteIt(s interface{}) string { return fmt.Sprintf("%q", fmt.Sprint(s)) }
